import { Token, type Stack } from 'aws-cdk-lib';

/** A stack's account and region, each only when it is known at synth (not a deploy-time token). */
export function concreteLocation(stack: Stack): { readonly account?: string; readonly region?: string } {
  return {
    ...(Token.isUnresolved(stack.account) ? {} : { account: stack.account }),
    ...(Token.isUnresolved(stack.region) ? {} : { region: stack.region }),
  };
}
