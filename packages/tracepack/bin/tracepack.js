#!/usr/bin/env node
// Thin launcher kept in git (executable), so the bin works before and after a build.
require('../dist/src/cli.js');
