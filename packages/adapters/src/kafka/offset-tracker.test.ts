import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffsetTracker } from './offset-tracker.ts';

describe('OffsetTracker', () => {
  it('commits nothing until the first offset is done', () => {
    const tracker = new OffsetTracker(['5', '6', '7']);
    tracker.markDone('6');
    assert.equal(tracker.committable(), null);
    assert.equal(tracker.firstUnfinished(), '5');
  });

  it('commits the finished prefix only', () => {
    const tracker = new OffsetTracker(['5', '6', '7', '8']);
    tracker.markDone('5');
    tracker.markDone('6');
    tracker.markDone('8');
    assert.equal(tracker.committable(), '6');
    assert.equal(tracker.firstUnfinished(), '7');
  });

  it('reports no unfinished offset when all are done', () => {
    const tracker = new OffsetTracker(['1', '2']);
    tracker.markDone('2');
    tracker.markDone('1');
    assert.equal(tracker.committable(), '2');
    assert.equal(tracker.firstUnfinished(), null);
  });
});
