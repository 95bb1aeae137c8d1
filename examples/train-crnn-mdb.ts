/**
 * Trains CRNN(2 layers, 72 units, GRU) on the drum-only tracks of the MDB Drums development
 * subset (../shared/data/mdb-drums-dev, not shipped: CC BY-NC-SA): five tracks for training,
 * two for validation; prints the validation micro-F1 per epoch and the time taken.
 *
 *   npx tsx examples/train-crnn-mdb.ts [epochs] [batchSize]
 *
 * Environment: ADTKIT_DEV_DATA (data directory), ADTKIT_BACKEND ('wasm' default, or 'cpu'),
 * ADTKIT_CHECKPOINTS (directory: checkpoints are written there and a killed run resumes).
 * Without the data it prints why and exits 0. The result is for development only: do not
 * ship weights trained on MDB Drums.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { MDB_MAPPING } from '../src/io/index.js';
import { createCRNN } from '../src/models/index.js';
import { buildSegmentDataset, enableWasmTraining, train, type TrainingExample } from '../src/train/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.ADTKIT_DEV_DATA ?? resolve(here, '..', '..', 'shared', 'data', 'mdb-drums-dev');
const epochs = Number(process.argv[2] ?? 12);
const batchSize = Number(process.argv[3] ?? 4);
const backend = process.env.ADTKIT_BACKEND ?? 'wasm';

async function main(): Promise<void> {
  if (!existsSync(dataDir)) {
    console.log(`MDB Drums dev data not found at ${dataDir} (set ADTKIT_DEV_DATA); nothing to train.`);
    return;
  }
  if (backend === 'wasm') enableWasmTraining(); // wasm lacks Conv2DBackpropFilter in TF.js 4.22
  await tf.setBackend(backend);
  await tf.ready();

  const tracks = readdirSync(dataDir).filter((f) => f.endsWith('.drums.flac')).map((f) => f.replace('.drums.flac', '')).sort();
  const example = (name: string): TrainingExample => ({
    name,
    audio: join(dataDir, `${name}.drums.flac`),
    // The thesis reads the 21 subclass labels and maps them with its MDB mapping.
    annotations: join(dataDir, `${name}.subclass.txt`),
  });
  const trainTracks = tracks.slice(0, 5);
  const validationTracks = tracks.slice(5, 7);
  console.log(`backend ${tf.getBackend()}; train: ${trainTracks.join(', ')}; validation: ${validationTracks.join(', ')}`);

  const started = Date.now();
  const trainSet = await buildSegmentDataset(trainTracks.map(example), { mapping: MDB_MAPPING });
  const validationSet = await buildSegmentDataset(validationTracks.map(example), { mapping: MDB_MAPPING });
  console.log(`${trainSet.length} training and ${validationSet.length} validation segments of 400 frames (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const result = await train(() => createCRNN({ numLayers: 2, hiddenSize: 72, cell: 'gru' }), { train: trainSet, validation: validationSet }, {
    epochs,
    batchSize,
    learningRate: 2e-3,
    weightDecay: 1e-4,
    seed: 1,
    checkpointDirectory: process.env.ADTKIT_CHECKPOINTS,
    resume: process.env.ADTKIT_CHECKPOINTS !== undefined,
    onProgress: (e) => {
      if (e.type === 'epoch') {
        const r = e.record;
        console.log(
          `epoch ${r.epoch}/${epochs}: train loss ${r.trainLoss.toFixed(3)}, validation loss ${r.validationLoss?.toFixed(3)}, ` +
            `micro-F1 ${r.validationMicroF1?.toFixed(3)} (KD/SD/TT/HH/CY ${r.validationClassF1?.map((f) => f.toFixed(2)).join('/')}), ` +
            `lr ${r.learningRate.toExponential(1)}, ${r.seconds.toFixed(0)} s${r.isBest ? ' *' : ''}`,
        );
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`best validation micro-F1 ${result.bestValidationMicroF1?.toFixed(3)} at epoch ${result.bestEpoch} of ${result.epochsCompleted} (${result.stopReason}); total ${(seconds / 60).toFixed(1)} min on ${tf.getBackend()}`);
  result.model.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
