// The lab's Node.js app. It prints one line, after checking with a real npm
// dependency (semver) that the Node.js running it satisfies package.json's
// "engines" range: an image that lacks node_modules, or ships a Node.js too
// old, fails here instead of printing the greeting.
//
//   node app.js    -> Hello from a Tiny Container!
'use strict';

const semver = require('semver');
const { engines } = require('./package.json');

if (!semver.satisfies(process.version, engines.node)) {
  console.error(`tiny-node: Node.js ${process.version} does not satisfy "${engines.node}" (package.json engines)`);
  process.exit(1);
}
console.log('Hello from a Tiny Container!');
