import { defineRoom } from "@colyseus/core";

/** Room registry: every room the server offers, by the name clients join. */
export const rooms = {} as Record<string, ReturnType<typeof defineRoom>>;
