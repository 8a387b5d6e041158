import type { EventInput } from '../../lambda-src/store/event-log';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';

/** The real in-memory log, recording what is appended to it. */
export class RecordingEventLog extends MemoryEventLog {
  readonly appended: EventInput[] = [];
  override append(input: EventInput) {
    this.appended.push(input);
    return super.append(input);
  }
}
