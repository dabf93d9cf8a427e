package framework

import "github.com/groundup-go/groundup/framework/http1"

// Unexported names that the tests in package framework_test reach. They
// exist only while testing; nothing here is part of the API.

var ErrContentLength = errContentLength

// CtxWithHead returns a Ctx whose request head holds fields, as the
// parser leaves it, for tests of the request accessors alone.
func CtxWithHead(fields ...http1.Field) *Ctx {
	c := &Ctx{}
	c.head.Fields = fields
	return c
}

// FramingRule returns the index in framingRules of the rule that frames a
// response with these facts, and the number of rules.
func FramingRule(status int, head bool, minor int, declared, whole bool, buffered int) (int, int) {
	r := chooseFraming(framingFacts(status, head, minor, declared, whole, buffered))
	for i := range framingRules {
		if &framingRules[i] == r {
			return i, len(framingRules)
		}
	}
	return -1, len(framingRules)
}

// ParamPairs returns the route parameters as "key=value", in order.
func ParamPairs(c *Ctx) []string {
	var out []string
	for _, p := range c.params {
		out = append(out, p.Key+"="+p.Value)
	}
	return out
}

// TreeCount returns how many httprouter trees hold the app's routes.
func TreeCount(a *App) int { return len(a.trees) }

// MatchedParams formats the request's route parameters as the router's
// explanations do: ` with id="7"`, or "".
func MatchedParams(c *Ctx) string { return formatParams(c.params) }

// lookupRW is RouteLookup's scratch writer, kept across calls so that
// the benchmark times the decision alone. Not for concurrent use.
var lookupRW routeWriter

// RouteLookup runs the router's decision alone for GET path, as dispatch
// does, and reports whether a route matched.
func RouteLookup(a *App, path string) bool {
	var d decision
	a.decide(&d, &lookupRW, "GET", path, nil)
	return d.outcome == routeMatch
}

// RouteTree returns the index of the tree that holds r.
func RouteTree(r *Route) int { return r.tree }
