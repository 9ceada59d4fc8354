/**
 * Which layout a topic follows: a topic template (full match, or deeper under its
 * `{deviceId}`), else a firmware decoder's route or ignore. Cached per topic.
 */
import type { TemplateSpec } from './config';
import type { Route, TopicDecoder } from './decoders/index';
import { isIgnore } from './decoders/types';

export interface TopicMatch {
  topic: string;
  spec: TemplateSpec | null;
  vars: Record<string, string> | null;
  lastLevel: string;
  family: string;
  /** Set when a firmware decoder owns the topic. */
  route?: Route;
  dec?: TopicDecoder;
  /** Set when a firmware decoder owns the topic but it carries no reading. */
  ignore?: string;
  /** The topic's levels, kept for payload-based guesses when nothing matched. */
  levels?: string[];
}

export class TopicMatcher {
  private readonly topics = new Map<string, TopicMatch>();

  constructor(
    private readonly templates: readonly TemplateSpec[],
    private readonly topicDecoders: readonly TopicDecoder[],
  ) {}

  /** The match for a topic, computed once per distinct topic (at most 10,000 remembered). */
  match(topic: string): TopicMatch {
    const hit = this.topics.get(topic);
    if (hit !== undefined) return hit;
    const lastLevel = topic.slice(topic.lastIndexOf('/') + 1);
    let found: TopicMatch | undefined;
    for (const spec of this.templates) {
      if (!topic.startsWith(spec.prefix)) continue;
      const vars = spec.topic.match(topic);
      if (vars !== null) {
        found = { topic, spec, vars, lastLevel, family: spec.family };
        break;
      }
    }
    if (found === undefined) {
      for (const spec of this.templates) {
        const hit = spec.deviceAt?.exec(topic);
        if (hit) {
          found = { topic, spec, vars: { deviceId: hit[1] }, lastLevel, family: spec.family };
          break;
        }
      }
    }
    if (found === undefined) {
      const levels = topic.split('/');
      found = { topic, spec: null, vars: null, lastLevel, family: 'other', levels };
      for (const dec of this.topicDecoders) {
        const r = dec.route(levels);
        if (r === null) continue;
        found = isIgnore(r)
          ? { topic, spec: null, vars: null, lastLevel, family: dec.name, ignore: r.ignore }
          : { topic, spec: null, vars: null, lastLevel, family: dec.name, route: r, dec };
        break;
      }
    }
    if (this.topics.size >= 10000) this.topics.clear();
    this.topics.set(topic, found);
    return found;
  }
}
