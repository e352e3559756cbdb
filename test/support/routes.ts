/** The route walk lives in src/http/route-catalogue.ts (the OpenAPI generator uses it too). */
export { mountedRoutes, type MountedRoute } from "../../src/http/route-catalogue";
