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
