import { App } from 'aws-cdk-lib';
import { runSynth } from '../lib/synth';

// runSynth synthesizes once, with every check; no second synth when the process exits.
runSynth(() => new App({ autoSynth: false }));
