// Package campaign is the breach-response campaign (pwreset campaign): a reset
// link e-mailed to every user, or to those a filter selects, at a set rate,
// optionally after marking each current password unusable.
//
// A campaign is stored (ports.CampaignStore) and queued page by page; its cursor
// moves after each page is in the outbox. After a crash, the page in flight is
// queued again: each message counts against a limit of one per user and campaign
// (ports.Outbox.AddLimited), so the outbox refuses the second e-mail, exactly,
// however many instances run it at once.
package campaign
