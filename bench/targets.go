package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pwreset/pwreset/domain/link"
)

// newPassword passes the default policy and is like no user's name.
const newPassword = "Vq8-lamp-Orbit-53"

var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

// sendLink asks for a link for login, the same every time.
func sendLink(url, login string) vegeta.Targeter {
	body, _ := json.Marshal(map[string]string{"login": login})
	return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: url, Body: body, Header: jsonHeader})
}

// sendLinkUnknown asks for links for logins nobody has, a new one every time, as a
// bot trying names would.
func sendLinkUnknown(url string) vegeta.Targeter {
	var n atomic.Int64
	return func(t *vegeta.Target) error {
		body, _ := json.Marshal(map[string]string{"login": "nobody" + strconv.FormatInt(n.Add(1), 10)})
		*t = vegeta.Target{Method: http.MethodPost, URL: url, Body: body, Header: jsonHeader}
		return nil
	}
}

// resets posts valid links to reset-password: one reusable link of user1 when
// users is 1, otherwise each of user1..userN's in turn. The links are signed here
// with the server's SECRET_KEY, as pwreset would sign them (not one-time).
func resets(url string, secret []byte, users int) vegeta.Targeter {
	signer := link.NewSigner(secret, false)
	now := time.Now().Unix()
	bodies := make([][]byte, users)
	for i := range bodies {
		id := "user" + strconv.Itoa(i+1)
		claims := link.Claims{UserID: id, Timestamp: now}
		bodies[i], _ = json.Marshal(map[string]any{"user_id": id, "timestamp": now,
			"signature": signer.Sign(claims), "password": newPassword})
	}
	var n atomic.Int64
	return func(t *vegeta.Target) error {
		i := (n.Add(1) - 1) % int64(len(bodies))
		*t = vegeta.Target{Method: http.MethodPost, URL: url, Body: bodies[i], Header: jsonHeader}
		return nil
	}
}
