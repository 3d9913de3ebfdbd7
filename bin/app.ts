import { App } from 'aws-cdk-lib';
import { SYNTH_APP_PROPS, runSynth } from '../lib/synth';

// runSynth synthesizes once, with every check; no second synth when the process exits.
runSynth(() => new App(SYNTH_APP_PROPS));
