package framework

import (
	"testing"
	"time"
)

// The grace a connection earns when it parks and wakes: twice the wait
// that ended in the wake, up to maxIdleGrace, never lowered by a quick
// wake, and back to idleGrace after a long pause.
func TestIdlePace(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		wakes []time.Duration // how long each parked wait lasted
		want  time.Duration
	}{
		{"never parked", nil, idleGrace},
		{"woken at 30 ms", []time.Duration{30 * ms}, 60 * ms},
		{"woken at 200 ms", []time.Duration{200 * ms}, 400 * ms},
		{"woken at 300 ms: capped", []time.Duration{300 * ms}, maxIdleGrace},
		{"a quicker wake keeps the grace", []time.Duration{200 * ms, 20 * ms}, 400 * ms},
		{"a later one raises it", []time.Duration{100 * ms, 150 * ms}, 300 * ms},
		{"after a long pause", []time.Duration{200 * ms, 3 * time.Second}, idleGrace},
		{"and again", []time.Duration{200 * ms, 3 * time.Second, 40 * ms}, 80 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p idlePace
			for _, d := range tt.wakes {
				p.woke(d)
			}
			if got := p.grace(); got != tt.want {
				t.Errorf("grace %v, want %v", got, tt.want)
			}
		})
	}
}
