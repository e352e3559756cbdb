// Mocha root setup: loaded before every spec file (see .mocharc.json).
process.env.NODE_ENV = process.env.NODE_ENV || "test";
process.env.LOG_LEVEL = process.env.LOG_LEVEL || "silent";
