package framework

import (
	"strconv"
	"testing"
)

func TestAppendLength(t *testing.T) {
	for _, n := range []int64{0, 1, 9, 10, 13, 99, 100, 4096, 9999, 10000, 99999, 100000, 1 << 20, 1<<63 - 1} {
		if got, want := string(appendLength([]byte("x"), n)), "x"+strconv.FormatInt(n, 10); got != want {
			t.Errorf("appendLength(%d) = %q, want %q", n, got, want)
		}
	}
}

// The framing index built at start agrees with walking the rules for
// every set of facts.
func TestFramingIndex(t *testing.T) {
	for f := framingFact(0); f <= ffLast<<1-1; f++ {
		want := &framingRules[len(framingRules)-1]
		for i := range framingRules {
			if f&framingRules[i].when == framingRules[i].when {
				want = &framingRules[i]
				break
			}
		}
		if got := chooseFraming(f); got != want {
			t.Errorf("facts %06b: rule %+v, want %+v", f, *got, *want)
		}
	}
}
