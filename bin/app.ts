import { App } from 'aws-cdk-lib';
import { runSynth } from '../lib/synth';

runSynth(() => new App());
