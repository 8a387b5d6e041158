#!/usr/bin/env node
require('../assets/cli/index.js').main();
