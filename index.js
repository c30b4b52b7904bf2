// n8n loads the nodes and credentials listed in package.json "n8n"; this entry point is intentionally empty.
module.exports = {};
