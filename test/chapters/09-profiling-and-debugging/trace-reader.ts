// Reads a Chrome trace the way a viewer does, to judge an export: complete
// ('X') events and begin/end ('B'/'E') pairs become bars on their (pid, tid)
// track, and every track must be a proper stack of nested bars.

export interface Bar {
  spanId: number;
  name: string;
  /** Microseconds. */
  ts: number;
  dur: number;
  track: string;
}

export interface ReadTrace {
  bars: Bar[];
  problems: string[];
}

interface RawEvent {
  name?: unknown;
  ph?: unknown;
  ts?: unknown;
  dur?: unknown;
  pid?: unknown;
  tid?: unknown;
  args?: { spanId?: unknown } & Record<string, unknown>;
}

export function readTrace(json: string): ReadTrace {
  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { bars: [], problems: [`not JSON: ${(error as Error).message}`] };
  }
  const events = (Array.isArray(parsed) ? parsed : (parsed as { traceEvents?: unknown }).traceEvents) as RawEvent[] | undefined;
  if (!Array.isArray(events)) return { bars: [], problems: ['no traceEvents array'] };

  const bars: Bar[] = [];
  const open = new Map<string, RawEvent[]>();
  for (const event of events) {
    if (event.ph === 'M') continue;
    const track = `${String(event.pid)}/${String(event.tid)}`;
    if (typeof event.ts !== 'number' || !Number.isFinite(event.ts)) {
      problems.push(`event "${String(event.name)}" has no numeric ts`);
      continue;
    }
    if (event.ph === 'X') {
      if (typeof event.dur !== 'number') problems.push(`complete event "${String(event.name)}" has no dur`);
      else bars.push(bar(event, event.ts, event.dur, track));
    } else if (event.ph === 'B') {
      const stack = open.get(track) ?? [];
      stack.push(event);
      open.set(track, stack);
    } else if (event.ph === 'E') {
      const begin = open.get(track)?.pop();
      if (!begin) problems.push(`an end event on track ${track} with no begin`);
      else bars.push(bar(begin, begin.ts as number, event.ts - (begin.ts as number), track));
    }
  }
  for (const [track, stack] of open) if (stack.length) problems.push(`${stack.length} begin events never ended on track ${track}`);

  // A track is drawn as a stack: two bars on it must be disjoint, or one inside the other.
  const byTrack = new Map<string, Bar[]>();
  for (const b of bars) byTrack.set(b.track, [...(byTrack.get(b.track) ?? []), b]);
  const slack = 1e-3; // µs: rounding
  for (const [track, list] of byTrack) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stack: Bar[] = [];
    for (const b of list) {
      while (stack.length && stack[stack.length - 1]!.ts + stack[stack.length - 1]!.dur <= b.ts + slack) stack.pop();
      const top = stack[stack.length - 1];
      if (top && b.ts + b.dur > top.ts + top.dur + slack) {
        problems.push(`on track ${track}, "${b.name}" starts inside "${top.name}" and ends after it: a viewer cannot draw that`);
        break;
      }
      stack.push(b);
    }
  }
  return { bars, problems };
}

function bar(event: RawEvent, ts: number, dur: number, track: string): Bar {
  return { spanId: Number(event.args?.spanId), name: String(event.name), ts, dur, track };
}
