// Package ports declares the interfaces the domain needs from the outside world
// (user store, mail, password hashing, clock) and the plain value types they pass.
// Adapters implement them; the domain depends on nothing else.
package ports
