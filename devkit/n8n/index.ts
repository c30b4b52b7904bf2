/**
 * Real-n8n e2e harness: pack once, start provisioned n8n releases with the pack installed as a community
 * package, drive them over n8n's REST API.
 *
 *   const tarball = (await packPack()).tarball;            // or getTarball(): ITEP_E2E_TARBALL / pack once
 *   const n8n = await startN8n({ version: '2.40.7' });      // fresh user folder, pack installed, owner logged in
 *   const cred = await n8n.api.createItepCredential({ apiKey, baseUrl: sandboxUrl });
 *   const wf = await n8n.api.createWorkflow(chain('name', [manualTrigger(), { ...itep node JSON... }]));
 *   const run = await n8n.api.runManually(wf.id);           // stored execution, data un-flattened
 *   nodeOutput(run, 'iTEP');                                // json of the node's output items
 *   await n8n.api.activateWorkflow(triggerWf.id);           // publish (2.x) / activate (1.x), waits until live
 *   await n8n.http('POST', '/webhook/<path>', body);        // production webhooks
 *   await n8n.api.waitForNewExecution(triggerWf.id);        // executions started by triggers
 *   await n8n.rest('GET', '/rest/...');                     // anything else (owner session)
 *   await n8n.cli(['export:workflow', '--all']);            // n8n CLI on the same user folder
 *   await n8n.stop();
 *
 * Versions under test: e2eVersions() (ITEP_E2E_VERSIONS, default 2.40.7 and 1.123.81).
 */
export * from './api';
export * from './instance';
export * from './pack';
export * from './paths';
export { freePort, freePorts, tail, type RunResult } from './proc';
export { sleep, waitFor } from '../wait';
export * from './rest';
export * from './secretScan';
export * from './timings';
export * from './workflows';
export * from './templates';
