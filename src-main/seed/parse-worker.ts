// Worker thread entry (bundled as seed-parser.js): parses and converts one CSV file and posts its
// batches to the thread that loads them, at most BATCHES_IN_FLIGHT ahead of it.
import { parentPort, workerData } from 'node:worker_threads'
import { toErrorPayload } from '../../src-shared/errors.js'
import {
  BATCHES_IN_FLIGHT,
  parseCsvHere,
  toPosted,
  type CsvParseJob,
  type HostMessage,
  type WorkerMessage,
} from './csv-batches.js'

const port = parentPort
if (!port) throw new Error('seed-parser.js runs as a worker thread only')

let unacknowledged = 0
let wake: (() => void) | undefined
port.on('message', (message: HostMessage) => {
  if (message.type === 'ack') {
    unacknowledged--
    wake?.()
  }
})
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)

parseCsvHere(workerData as CsvParseJob, (parsed) => {
  const { batch, transfer } = toPosted(parsed)
  post({ type: 'batch', batch }, transfer)
  if (++unacknowledged < BATCHES_IN_FLIGHT) return
  return new Promise<void>((resolve) => {
    wake = () => {
      if (unacknowledged < BATCHES_IN_FLIGHT) {
        wake = undefined
        resolve()
      }
    }
  })
}).then(
  () => post({ type: 'done' }),
  (error: unknown) => post({ type: 'error', error: toErrorPayload(error) }),
)
