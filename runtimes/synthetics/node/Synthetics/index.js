"use strict";
// require("Synthetics") of runtimes before syn-nodejs-puppeteer-13.1.
module.exports = require("../synthetics-lib.js").synthetics;
