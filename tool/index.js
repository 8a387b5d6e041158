// cdk-mcp-lambda-server/tool: the helper for Node.js tool functions (docs/writing-tools.md),
// built by scripts/bundle.mjs into assets/tool/. This file lets unbundled ES modules import
// it as 'cdk-mcp-lambda-server/tool/index.js' (ES modules cannot import a folder).
module.exports = require('../assets/tool/index.js');
