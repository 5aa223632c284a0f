package httpingest

// limiter bounds the requests served at once. It never queues: a request
// that finds every slot taken is refused at once, so a burst costs the
// gateway nothing but the refusals.
type limiter struct {
	slots chan struct{}
}

// defaultMaxInFlight is the number of slots when none is configured.
const defaultMaxInFlight = 64

func newLimiter(n int) *limiter {
	if n <= 0 {
		n = defaultMaxInFlight
	}
	return &limiter{slots: make(chan struct{}, n)}
}

// tryAcquire takes a slot if one is free. The caller calls release exactly
// once, when the request no longer holds memory.
func (l *limiter) tryAcquire() (release func(), ok bool) {
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, true
	default:
		return nil, false
	}
}

// inUse is the number of slots taken.
func (l *limiter) inUse() int { return len(l.slots) }

// size is the number of slots.
func (l *limiter) size() int { return cap(l.slots) }
