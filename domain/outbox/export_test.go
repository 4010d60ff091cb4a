package outbox

// PauseWaiters returns how many workers wait for the provider's pause to end.
func (d *Dispatcher) PauseWaiters() int { return d.feed.pause.waiters() }

// SettleQueued returns how many deliveries wait for the settler.
func (d *Dispatcher) SettleQueued() int { return len(d.handed) }

// SettleWaiters returns how many workers record their own delivery, having found
// the settler's queue full.
func (d *Dispatcher) SettleWaiters() int { return int(d.handing.Load()) }
