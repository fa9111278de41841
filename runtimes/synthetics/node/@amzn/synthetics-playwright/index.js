"use strict";
// The namespaced module of newer runtimes (exports `synthetics`, as AWS documents it, and is the object itself).
const { synthetics } = require("../../synthetics-lib.js");
module.exports = Object.assign(Object.create(synthetics), synthetics, { synthetics });
