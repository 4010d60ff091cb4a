package outbox

// PauseWaiters returns how many workers wait for the provider's pause to end.
func (d *Dispatcher) PauseWaiters() int { return d.feed.pause.waiters() }
