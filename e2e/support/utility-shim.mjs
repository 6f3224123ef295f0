// Runs the built engine host (out/main/api-host.js) in a plain Node child process, standing in for
// Electron's utility process: `process.parentPort` is emulated over the Node IPC channel.
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'

const parentPort = new EventEmitter()
parentPort.postMessage = (message) => process.send(message)
process.on('message', (message) => parentPort.emit('message', { data: message }))
process.parentPort = parentPort
await import(pathToFileURL(process.argv[2]).href)
