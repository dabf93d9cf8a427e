package framework

import (
	"testing"
	"time"
)

// The grace a connection earns from the starts of its waits between
// requests: 2× its smoothed period, between idleGrace and maxIdleGrace,
// and idleGrace again once its requests come too far apart. The first
// wait starts when the connection opens, so the first period counted is
// the one between the first two requests.
func TestIdlePace(t *testing.T) {
	ms := time.Millisecond
	steady := func(d time.Duration, n int) []time.Duration {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = d
		}
		return s
	}
	tests := []struct {
		name    string
		periods []time.Duration // between the starts of successive waits
		want    time.Duration
		upTo    time.Duration // when set, the grace may be anything from want to upTo
	}{
		{"first wait", nil, idleGrace, 0},
		{"answered once", []time.Duration{ms}, idleGrace, 0},
		{"answered once, slowly", []time.Duration{300 * ms}, idleGrace, 0},
		{"fast client", steady(ms, 4), idleGrace, 0},
		{"every 30 ms", append([]time.Duration{ms}, steady(30*ms, 3)...), 60 * ms, 0},
		{"every 200 ms", append([]time.Duration{ms}, steady(200*ms, 3)...), 400 * ms, 0},
		{"every 400 ms: capped", append([]time.Duration{ms}, steady(400*ms, 3)...), maxIdleGrace, 0},
		{"every 2 s", append([]time.Duration{ms}, steady(2*time.Second, 3)...), idleGrace, 0},
		{"a late request raises the grace by half", []time.Duration{ms, 40 * ms, 40 * ms, 120 * ms}, 160 * ms, 0},
		{"an early one lowers it by a quarter", []time.Duration{ms, 120 * ms, 120 * ms, 40 * ms}, 200 * ms, 0},
		{"after a long pause", []time.Duration{ms, 40 * ms, 5 * time.Second}, idleGrace, 0},
		{"the pace comes back", append([]time.Duration{ms, 40 * ms, 5 * time.Second}, steady(40*ms, 12)...), 80 * ms, 120 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p idlePace
			now := time.Unix(1e9, 0)
			p.next(time.Time{}, now)
			for _, d := range tt.periods {
				prev := now
				now = now.Add(d)
				p.next(prev, now)
			}
			if p.grace < tt.want || p.grace > max(tt.want, tt.upTo) {
				t.Errorf("grace %v, want %v (period %v)", p.grace, tt.want, p.period)
			}
		})
	}
}
