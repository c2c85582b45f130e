// The demo models the explorer ships: which architecture on which data, and how long each trains.
// Fashion-MNIST has 60,000 training images (468 steps of 128 per epoch); the MNIST demo trains on the
// 5,000-digit half of t10k (39 steps per epoch), hence its larger epoch count.
import { demoArch, type DemoArch } from './models.js';
import type { DemoDatasetName } from './datasets.js';

export interface DemoModelSpec {
  name: string;
  title: string;
  arch: DemoArch;
  dataset: DemoDatasetName;
  epochs: number;
  recon: 'bce' | 'mse';
  beta: number;
  /** What the explorer uses it for. */
  role: 'scatter' | 'latent-size';
}

const FASHION_EPOCHS = 10;
const MNIST_EPOCHS = 60;

function spec(kind: 'ae' | 'vae', dataset: DemoDatasetName, latent: number, role: DemoModelSpec['role']): DemoModelSpec {
  const ds = dataset === 'fashion-mnist' ? 'fashion' : 'mnist';
  const what = kind === 'ae' ? 'autoencoder' : 'variational autoencoder';
  return {
    name: latent === 2 ? `${ds}-${kind}` : `${ds}-${kind}-${latent}`,
    title: `${dataset === 'fashion-mnist' ? 'Fashion-MNIST' : 'MNIST'} convolutional ${what}, ${latent}-D latent`,
    arch: demoArch(kind, latent),
    dataset,
    epochs: dataset === 'fashion-mnist' ? FASHION_EPOCHS : MNIST_EPOCHS,
    recon: 'bce',
    beta: 1,
    role,
  };
}

/** Every shipped demo model. fashion-ae is also the 2-D point of the loss-vs-latent-size chart. */
export const DEMO_MODELS: DemoModelSpec[] = [
  spec('ae', 'fashion-mnist', 2, 'scatter'),
  spec('vae', 'fashion-mnist', 2, 'scatter'),
  spec('ae', 'mnist', 2, 'scatter'),
  spec('vae', 'mnist', 2, 'scatter'),
  spec('ae', 'fashion-mnist', 4, 'latent-size'),
  spec('ae', 'fashion-mnist', 8, 'latent-size'),
  spec('ae', 'fashion-mnist', 16, 'latent-size'),
  spec('ae', 'fashion-mnist', 32, 'latent-size'),
];

/** Test images per data set stored for the explorer (scatter, hover, interpolation, denoising). */
export const SAMPLE_COUNTS: Record<DemoDatasetName, number> = { 'fashion-mnist': 5000, mnist: 5000 };

export function findDemoSpec(name: string): DemoModelSpec | undefined {
  return DEMO_MODELS.find((m) => m.name === name);
}
