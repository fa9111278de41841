#!/usr/bin/env node
// The CLI runs from one bundled file (dist/stratus.js): loading ~100 separate modules costs cold start ~20 ms.
import "../dist/stratus.js";
