import { AgentFailure, type ModelAccess, type ModelRequest } from '@jeton/runtime/sdk';
import { describe, expect, it } from 'vitest';
import { fixture, outputs, run } from './test-support.ts';

describe('the model summary (optional)', () => {
  it('adds a plain-language summary written from figures only, no cell values', async () => {
    const requests: ModelRequest[] = [];
    const models: ModelAccess = {
      unavailable: null,
      generate: async (request) => {
        requests.push(request);
        return {
          text: 'Customer records, mostly complete; one duplicate and one suspicious balance.',
          model: 'test/fake',
          usage: { inputTokens: 1, outputTokens: 1 },
          costMicroCredits: 0n,
        };
      },
    };
    const result = await run(fixture('customers.csv'), {}, { models });
    const { report } = outputs(result);
    expect(report).toContain(
      '## In short\n\nCustomer records, mostly complete; one duplicate and one suspicious balance.',
    );
    expect(report).toContain('_Written by test/fake');
    expect(requests).toHaveLength(1);
    const prompt = requests[0]!.prompt;
    expect(prompt).toContain('"name":"balance"');
    expect(prompt).toContain('"duplicateRows":1');
    for (const value of ['john@example.com', 'Smith', '999999']) expect(prompt).not.toContain(value);
    expect(result.modelCalls).toHaveLength(1);
  });

  it('still succeeds, without the summary, when the model fails', async () => {
    const models: ModelAccess = {
      unavailable: null,
      generate: async () => {
        throw new AgentFailure('provider_transient', 'The provider is overloaded.');
      },
    };
    const result = await run(fixture('customers.csv'), {}, { models });
    const { report, cleaned } = outputs(result);
    expect(report).not.toContain('## In short');
    expect(report).toContain('**Duplicate rows: 1**');
    expect(cleaned).toContain('\n8,Eve,eve@example.com,31,1010.00,2024-04-15,no\n');
    expect(result.logs).toContainEqual({
      level: 'warn',
      message: 'No model summary: The provider is overloaded.',
    });
  });
});
