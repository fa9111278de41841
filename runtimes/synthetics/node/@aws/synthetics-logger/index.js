"use strict";
// require("@aws/synthetics-logger"): the logger (also as `.logger`).
const { logger } = require("../../synthetics-lib.js");
module.exports = Object.assign({}, logger, { logger });
