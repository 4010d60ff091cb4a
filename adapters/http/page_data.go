package http

import (
	"cmp"
	"html/template"
)

// The states of the page; pageData.State holds one.
const (
	stateForm       = "form"       // the form for the new password
	stateDone       = "done"       // the password is changed
	stateBadLink    = "bad-link"   // the link is forged, used, superseded or expired
	stateIncomplete = "incomplete" // the link lacks its values
	stateLinkSent   = "link-sent"  // a new link was asked for
	stateNewLink    = "new-link"   // the form that asks for a new link, again after an error
	stateRefused    = "refused"    // a form posted from another site
)

// pageData is what the page template sees; docs/configuration.md lists it for teams
// that write their own.
type pageData struct {
	Lang     string      // the page's language, for <html lang>
	T        pageText    // its words in that language
	Title    string      // the window's title, which follows the state
	Heading  string      // the page's heading: the title without "Error: "
	Product  string      // PageConfig.ProductName
	Endpoint string      // the reset-password endpoint the script posts to
	Confirm  bool        // whether to ask for the confirmation
	LinkOK   bool        // whether to show the form for the new password
	Messages string      // JSON translations of the API's messages, for the script (data-messages)
	Nonce    string      // this answer's CSP nonce, for <script> and <style>
	Script   template.JS // the page's script

	State        string       // stateForm, stateDone, ...
	Action       string       // where the form for the new password posts without the script
	NewLink      bool         // whether to show the form that asks for a new link
	LinkAction   string       // where that form posts without the script
	LinkEndpoint string       // the send-reset-password-link endpoint the script posts to
	ByEmail      bool         // whether that form asks for the e-mail address (else the login)
	ByName       bool         // whether the login it asks for is the username alone
	Link         linkValues   // the link's values, hidden fields of the form
	Login        string       // the account's login, for password managers; "" if unknown
	Requirements []string     // the password's requirements, in the page's language
	Errors       []message    // messages about the whole form, translated
	Fields       fieldMessage // messages beside each field, translated
	Notice       string       // what happened, once done or a link is sent
	SignInURL    string       // PageConfig.SignInURL

	formTitle string // the form's title: PageConfig.Title, or T.Title
}

// fieldMessage holds the messages shown beside each field of the page's forms.
type fieldMessage struct {
	Password, PasswordConfirm, Login []message
}

// message is a message the page shows. Lang is "en" for one of the API's messages
// that the page's language does not translate, so that it is read as English.
type message struct {
	Text, Lang string
}

// String is the message's text, as a template writes it.
func (m message) String() string { return m.Text }

// say is a message of the page's own, in its language.
func say(text string) []message { return []message{{Text: text}} }

// linkValues are a link's values as the page's URL or form carries them.
type linkValues struct {
	UserID, Timestamp, Signature string
}

// setState shows state: which forms, and the title that goes with it.
func (d *pageData) setState(state string) {
	d.State = state
	d.LinkOK = state == stateForm
	d.NewLink = state == stateBadLink || state == stateIncomplete || state == stateNewLink
	switch state {
	case stateForm, stateRefused:
		d.Heading = cmp.Or(d.formTitle, d.T.Title)
	case stateDone:
		d.Heading, d.Notice = d.T.TitleDone, d.T.Success
	case stateIncomplete:
		d.Heading, d.Errors = d.T.TitleIncomplete, say(d.T.Incomplete)
	case stateLinkSent:
		d.Heading = d.T.TitleLinkSent
	case stateNewLink:
		d.Heading = d.T.TitleNewLink
	case stateBadLink:
		d.Heading = d.T.TitleInvalid
	}
	d.Title = d.Heading
}
