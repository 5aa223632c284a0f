package httpingest

import "sync"

// limiter bounds the requests served at once: MaxInFlight in all, and
// MaxInFlightPerSource for each source system, so that one slow or
// flooding source cannot take every slot and starve the others (a source
// whose requests wait on a slow Kafka partition holds its slots for up to
// PublishTimeout and beyond). It never queues: a request that finds no
// slot is refused at once, so a burst costs the gateway nothing but the
// refusals.
type limiter struct {
	max, perSource int

	mu       sync.Mutex
	used     int
	bySource map[string]int // only sources holding slots
}

// defaultMaxInFlight is the number of slots when none is configured.
const defaultMaxInFlight = 64

// DefaultPerSource is a source's share of maxInFlight slots when none is
// configured: half, so that whatever one source does, the others have the
// other half; at least one.
func DefaultPerSource(maxInFlight int) int { return max(1, maxInFlight/2) }

// refusal says why tryAcquire found no slot.
type refusal int

const (
	admitted    refusal = iota
	gatewayFull         // MaxInFlight requests are being served
	sourceFull          // the source is being served its share
)

func newLimiter(n, perSource int) *limiter {
	if n <= 0 {
		n = defaultMaxInFlight
	}
	if perSource <= 0 {
		perSource = DefaultPerSource(n)
	}
	return &limiter{max: n, perSource: min(perSource, n), bySource: make(map[string]int)}
}

// tryAcquire takes a slot for a request of source if the gateway and the
// source each have one free. The caller calls release exactly once, when
// the request no longer holds memory. A source at its share is refused
// even while the gateway has slots free: those are the other sources'.
func (l *limiter) tryAcquire(source string) (release func(), why refusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.bySource[source] >= l.perSource:
		return nil, sourceFull
	case l.used >= l.max:
		return nil, gatewayFull
	}
	l.used++
	l.bySource[source]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.used--
		if l.bySource[source]--; l.bySource[source] == 0 {
			delete(l.bySource, source)
		}
	}, admitted
}

// inUse is the number of slots taken.
func (l *limiter) inUse() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// size is the number of slots.
func (l *limiter) size() int { return l.max }

// share is the number of slots one source may hold.
func (l *limiter) share() int { return l.perSource }
