// Package health turns health-check configuration, checker observations,
// routing-control switches and alarm states into one status per health check,
// with Route 53's rules, and publishes the statuses as an immutable View for
// DNS and as Change events for monitoring and notifications.
//
// The package is pure: no I/O, no goroutines, no clock. Every call that can
// change a status carries the time it happens at (an observation's Time, or a
// now argument), and an Engine is owned by one goroutine. Only the Views it
// returns may be shared.
//
// # Rules
//
// Per checker (reference §4.4): each checker keeps its own view of an
// endpoint. The view starts healthy and flips only after FailureThreshold
// consecutive results that disagree with it, the same count both ways; a
// result that agrees with the view resets the count. So a failing endpoint
// with threshold 3 turns unhealthy on the third failure. A FailureThreshold
// below 1 is read as Route 53's default, 3.
//
// Across checkers (§4.5): an endpoint check is healthy when more than 18 % of
// its reporting checkers see it healthy, computed in integers as
// 100·healthy > 18·reporting (1 of 5 is healthy, 1 of 6 is not; 3 of 16 is,
// 2 of 16 is not). A reporting checker is one that has sent an observation for
// the check within StaleAfter (3 × RequestInterval + 10 s, RequestInterval 30
// when unset); Expire takes the others out of the denominator, so a dead
// checker does not pin a status. An expired checker keeps its view and counts
// again from its next observation.
//
// Which checkers probe a check (its Regions) is the checker package's
// concern: every observation of an enabled endpoint check counts. Checkers and
// LastFailure are empty for checks that are not probed; whether
// GetHealthCheckStatus refuses those is the API's decision.
//
// Initial status (§4.6): a check is healthy (unhealthy when Inverted) until its
// type has data: the first observation of an endpoint check, the first alarm
// state of an alarm check. When every checker of an endpoint check has expired,
// the check keeps its last status, and its reason says so.
//
// Disabled and Inverted (§3.11, §4.9): effective = Disabled ? healthy : computed,
// then Inverted flips it; so disabled and inverted is unhealthy, as the 2026
// wording of the guide reads. Observations of a disabled check are ignored
// (probing stops); when it is enabled again its checker data is dropped and it
// starts over from its initial status, because the old data is stale.
// Switch positions and alarm states are kept: they are facts about the outside
// world, not probe history.
//
// CALCULATED (§3.9, §4.7): healthy when the number of healthy children is at
// least HealthThreshold (unset or negative reads as 0: always healthy; more
// than the children: always unhealthy). A child counts with its effective
// status, so a disabled child counts healthy and a disabled, inverted child
// counts unhealthy (the guide's advice to "invert that child" to count it
// unhealthy). A child that does not exist (deleted after the parent was
// configured) counts unhealthy: "at least N of these are healthy" must not
// pass on checks that are gone. A child listed twice counts once. A CALCULATED
// child counts unhealthy: Route 53 refuses calculated children (ValidateChildren
// does too), and this rule keeps evaluation one level deep, so cycles, self
// references included, cannot arise at all instead of being detected. A child
// change re-evaluates its parents at once, through a reverse index.
//
// RECOVERY_CONTROL (§3.10): the check follows an on/off switch keyed by its
// RoutingControlArn, set with SetSwitch: ON is healthy, OFF unhealthy. A switch
// never set is ON, matching the initial status. Checks that share an ARN
// follow the same switch.
//
// CLOUDWATCH_METRIC (§4.8): a seam only. SetAlarmState feeds the state of the
// alarm (OK healthy, ALARM unhealthy, INSUFFICIENT_DATA per
// InsufficientDataHealthStatus, LastKnownStatus when unset, healthy with no
// history). Evaluating metric data belongs to another package.
//
// # Events and the view
//
// Every public call that can change statuses returns the Changes it caused:
// at most one per check per call (a parent re-evaluated while its children are
// loaded does not flap), in the order the checks were reached. Creating a check
// is a change from StatusUnknown to its initial status and removing one a change
// to StatusUnknown, so the Changes describe every difference between two Views.
// Each call that returns Changes moves the Epoch; View rebuilds its map only
// then.
//
// Configuration calls take a now argument, unlike the first sketch of this
// API: their status changes are events too, and an event needs a time that
// this package cannot read from a clock.
package health
