package framework

import (
	"testing"
	"time"
)

// The grace a connection earns from the starts of its waits between
// requests: 2× its smoothed period, between idleGrace and maxIdleGrace,
// and idleGrace again once its requests come too far apart.
func TestIdlePace(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		periods []time.Duration // between the starts of successive waits; the first wait has none
		want    time.Duration
		upTo    time.Duration // when set, the grace may be anything from want to upTo
	}{
		{"first wait", nil, idleGrace, 0},
		{"fast client", []time.Duration{ms, ms, ms}, idleGrace, 0},
		{"every 30 ms", []time.Duration{30 * ms, 30 * ms, 30 * ms}, 60 * ms, 0},
		{"every 100 ms", []time.Duration{100 * ms, 100 * ms}, 200 * ms, 0},
		{"every 200 ms: capped", []time.Duration{200 * ms, 200 * ms, 0}, maxIdleGrace, 0},
		{"every 2 s", []time.Duration{2 * time.Second, 2 * time.Second}, idleGrace, 0},
		{"one slow gap is smoothed", []time.Duration{40 * ms, 40 * ms, 40 * ms, 200 * ms}, 2 * (40*ms + (200*ms-40*ms)/4), 0},
		{"after a long pause, the pace comes back", []time.Duration{40 * ms, 5 * time.Second, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms, 40 * ms}, 80 * ms, 90 * ms},
		{"a pause then a steady pace", []time.Duration{40 * ms, 5 * time.Second, 40 * ms}, maxIdleGrace, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p idlePace
			var prev time.Time
			now := time.Unix(1e9, 0)
			p.next(prev, now)
			for _, d := range tt.periods {
				prev, now = now, now.Add(d)
				p.next(prev, now)
			}
			if p.grace < tt.want || p.grace > max(tt.want, tt.upTo) {
				t.Errorf("grace %v, want %v (period %v)", p.grace, tt.want, p.period)
			}
		})
	}
}
