// onnxruntime-node 1.29+ ships 1DS telemetry on Linux and macOS: on the first session it writes a device id and a
// queue of "SessionCreation" events to ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and an empty
// $TMPDIR/mat-debug-<pid>.log, and may upload them. An offline studio collects nothing. ORT_DISABLE_TELEMETRY=1,
// read once when ORT initialises, turns all of it off (no uploader, events, device id or cache; microsoft/onnxruntime
// PR 27379). Imported first by the engine and CLI entries, before anything loads ORT; a user's own value is overridden.
process.env.ORT_DISABLE_TELEMETRY = '1';

export {};
