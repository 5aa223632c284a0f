// Package taxonomy holds the catalogues of codes that a lineage event may
// carry: personal-data categories, purposes, legal bases, legitimate
// interests, recipient categories, transfer mechanisms, retention rules,
// source systems, data sources and countries.
//
// # Where the codes come from
//
// Every code that the operator's privacy policy defines cites it in Term.Cite,
// in the citation style of the project's policy digest: "annex 1, cat. 18"
// for the data categories of annex 1, "§5.2" for a numbered point of the 2025
// policy, "2018 [7] 7.1.2" for a point of the 2018 policy (its numbering
// restarts per chapter, so the chapter is always given). Codes that come from
// the GDPR rather than the policy cite the article ("GDPR Art. 46(2)(c)"), and
// codes that are the project's own cite "project: …". The Latvian text of the
// policy is the authority; the English names here are reading aids.
//
// Term.NameLV, the Latvian name shown in access reports, is the policy's
// wording where the policy names the term: annex 1's category names verbatim;
// purposes, legal bases, legitimate interests and retention rules in the
// words of their points, made into labels (a purpose's "pakalpojumu
// sniegšanai" becomes "Pakalpojumu sniegšana") and shortened where a point is
// a long sentence; recipients in the words of §13–§17 or of the 2018 text
// they cite; data sources in the words of §16 ("no Klienta" becomes
// "Klients"); transfer mechanisms in the words of the Latvian GDPR. Otherwise
// (source systems, and recipients that neither text names) NameLV is ours.
//
// # What is ours
//
// The policy lists categories (annex 1), purposes (§5), legal bases (§6),
// legitimate interests (§7), data sources (§16) and retention criteria
// (§20–§23) as separate lists. It never says which purpose uses which
// category, on which basis, for how long, nor which data come from which
// source. Any such link in this package is therefore our inference, and it
// says so: Term.Note records what the policy does not state. In particular,
// Category.Retention, the retention rule of each category, is entirely our
// mapping; each category's Note gives the reason for it in a sentence that
// starts "Retention (ours)". Under §20 data are kept while at least one
// criterion holds, so the rule named there is the one we expect to govern
// usually, not the only one that can apply.
//
// # Periods
//
// A [time.Duration] cannot hold a calendar period, so RetentionRule periods
// are rounded on the safe side: a minimum up to the longest span the calendar
// period can have (1 year = 366 days, 18 months = 550 days, 5 years = 1827
// days), a maximum down to the shortest (6 months = 181 days, 2 years = 730
// days). Read this way a rule never deletes before its minimum nor keeps data
// past its maximum. Where a date must be exact, count the calendar period
// named in the rule's Cite from the anchor given in its Note.
//
// # Changing the catalogues
//
// Codes are written into lineage events, and events in Kafka keep their codes
// forever: the store and every replay must still understand an event written
// years ago. So, when the policy changes:
//
//   - append a new code at the end of its catalogue, with its citation of the
//     new text (and a Note for anything that text does not state);
//   - never reuse, rename or delete a code, even if the policy drops the point
//     it cited; change its Note to say that the point is gone and since which
//     revision;
//   - keep annex order for categories: a new category of a new annex is
//     appended after the existing 32, whatever number the new annex gives it,
//     and its Cite names that annex;
//   - when the policy renumbers, update Cite, never Code (legitimate-interest
//     codes "7.1" … "7.29" are the numbers of the 2025 text and stay so).
//
// # Concurrency and ownership
//
// The catalogues are built once, in package-level variable initialisers, and
// never change afterwards; every function is safe for concurrent use. Slice
// results are fresh copies that the caller owns and may modify.
package taxonomy
