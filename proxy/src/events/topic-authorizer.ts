/** Builds the per-topic authorisation function of an event-stream route from its bundle policy and the bundle's RBAC. */
import { compileTopicRules, decideTopic } from '@agentcore/policies';
import type { CompiledRbac, EventsPolicy, TopicDecision, TopicEventClaims, TopicPattern, TopicPrincipal } from '@agentcore/policies';

/** Decides a subscription filter (no `event`) or the delivery of one event; replaced on every bundle change. */
export type TopicAuthorizer = (principal: TopicPrincipal, filter: TopicPattern, event?: TopicEventClaims) => TopicDecision;

/** The authoriser of one route's `events.topics`, compiled once per bundle. */
export function topicAuthorizer(policy: Pick<EventsPolicy, 'topics'>, rbac: CompiledRbac): TopicAuthorizer {
  const rules = compileTopicRules(policy.topics);
  const grants = (roles: readonly string[], permission: string): boolean => rbac.grants(roles, permission);
  return (principal, filter, event) => decideTopic(rules, grants, principal, filter, event);
}
