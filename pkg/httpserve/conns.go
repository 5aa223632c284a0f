package httpserve

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// fullLogEvery spaces the warnings that the connections are at their cap:
// under a flood of connections the cap is reached thousands of times a
// second, and one line a minute says as much.
const fullLogEvery = time.Minute

// connLimiter is the listener of a server whose open connections are
// bounded. A connection counts from Accept until it is closed, whoever
// closes it.
//
// When a connection arrives while max are open, the limiter closes the
// connection that has been idle longest between two requests, and serves
// the new one in its place: an idle keep-alive connection holds no request,
// HTTP lets a server close it at any time (RFC 9112, section 9.5), and a
// client reopens one when it next needs it. So a crowd of idle
// connections, which is what an unauthenticated client can keep open for
// free, never keeps out a client with a request to make. When no connection
// is idle (every one is being read, served or written), the new connection
// is held, unserved, until one closes: the ones being read are closed by
// ReadHeaderTimeout at the latest, those being served by the handler's own
// bounds. Holding it rather than closing it at once means a burst only
// delays a client instead of failing its request; and since Accept is not
// called meanwhile, further connections wait in the kernel's accept queue,
// not in this process: it holds at most max+1 connection sockets.
type connLimiter struct {
	net.Listener
	max int
	log *slog.Logger

	// freed gets a value when a connection closes, in case Accept waits
	// for room; a stale value only makes Accept look again.
	freed chan struct{}
	// done is closed with the listener: Accept waiting for room returns.
	done      chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	open     map[*limitedConn]struct{}
	n        int // connections open or admitted, ≤ max
	lastFull time.Time
	// reclaimed and waited count, since the last warning, the idle
	// connections closed and the new ones held for room.
	reclaimed, waited int
}

func newConnLimiter(ln net.Listener, max int, log *slog.Logger) *connLimiter {
	return &connLimiter{
		Listener: ln,
		max:      max,
		log:      log,
		freed:    make(chan struct{}, 1),
		done:     make(chan struct{}),
		open:     make(map[*limitedConn]struct{}, max),
	}
}

// Accept accepts a connection and returns it once there is room for it.
// Accept is called by one goroutine, the server's.
func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l}
	if err := l.admit(lc); err != nil {
		_ = c.Close()
		return nil, err
	}
	return lc, nil
}

// admit waits until lc may be served and counts it, closing the longest
// idle connection when all places are taken. It fails only once the
// listener is closed.
func (l *connLimiter) admit(lc *limitedConn) error {
	for {
		l.mu.Lock()
		if l.n < l.max {
			l.n++
			l.open[lc] = struct{}{}
			l.mu.Unlock()
			return nil
		}
		victim := l.longestIdle()
		if victim != nil {
			l.reclaimed++
		} else {
			l.waited++
		}
		l.noteFull()
		l.mu.Unlock()

		if victim != nil {
			// Close releases its place before it returns; the loop then
			// finds room.
			_ = victim.Close()
			continue
		}
		select {
		case <-l.freed:
		case <-l.done:
			return net.ErrClosed
		}
	}
}

// longestIdle is the open connection idle for the longest time, or nil
// when none is idle. l.mu is held. A scan is cheap next to a connection,
// and happens only while all places are taken.
func (l *connLimiter) longestIdle() *limitedConn {
	var oldest *limitedConn
	for c := range l.open {
		if !c.idleSince.IsZero() && (oldest == nil || c.idleSince.Before(oldest.idleSince)) {
			oldest = c
		}
	}
	return oldest
}

// noteFull warns, at most once per fullLogEvery, that the cap was reached.
// l.mu is held.
func (l *connLimiter) noteFull() {
	now := time.Now()
	if !l.lastFull.IsZero() && now.Sub(l.lastFull) < fullLogEvery {
		return
	}
	l.log.Warn("open connections at their cap: idle ones are closed for new ones, else new ones wait",
		"max_conns", l.max, "idle_closed", l.reclaimed, "held", l.waited)
	l.lastFull, l.reclaimed, l.waited = now, 0, 0
}

// release gives lc's place back; limitedConn.Close calls it once.
func (l *connLimiter) release(lc *limitedConn) {
	l.mu.Lock()
	delete(l.open, lc)
	l.n--
	l.mu.Unlock()
	select {
	case l.freed <- struct{}{}:
	default:
	}
}

// connState follows the server's connections (http.Server.ConnState): a
// connection is idle from the end of one response until the first byte of
// the next request.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle {
		lc.idleSince = time.Now()
	} else {
		lc.idleSince = time.Time{}
	}
}

// Close closes the listener and wakes an Accept waiting for room.
func (l *connLimiter) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// inUse is the number of connections counted.
func (l *connLimiter) inUse() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// limitedConn is a connection counted by a connLimiter.
type limitedConn struct {
	net.Conn
	l *connLimiter
	// idleSince is when the connection became idle between two requests;
	// zero while it is new, active or closed. Guarded by l.mu.
	idleSince time.Time
	once      sync.Once
}

// Close closes the connection and gives its place back, once.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}

// CloseWrite half-closes a TCP connection. net/http does so (when the
// connection has the method) before it closes a connection whose request
// body it did not read, so that the client reads the answer before a
// reset: a wrapper must pass it on.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
