// Package report builds a data subject's GDPR Art. 15 access report from the
// subject's stored lineage events and renders it as JSON, CSV, a
// self-contained HTML page or a PDF, in Latvian or English.
//
// Build is pure: it reads the events and options it is given and does no
// I/O. The HTTP layer fetches the events (from ClickHouse), calls Build and
// one renderer (Render, with ContentType and Filename for the response).
//
// # What the report holds
//
// Three layers, all delivered at once, as the EDPB's Guidelines 01/2022 on
// the right of access recommend:
//
//  1. A summary that says what every layer contains, then the nine items
//     of the Data State Inspectorate's list of what a controller must give
//     (whether data are held; purposes, Art. 15(1)(a); categories, (b);
//     recipients, (c); storage period or its criteria, (d); the rights,
//     (e); the complaint, (f); sources, (g); automated decisions, (h)),
//     the third-country safeguards (Art. 15(2)) and the consultations of
//     the subject's data (CJEU C-579/21).
//  2. A time line, month by month, oldest first.
//  3. The events themselves, oldest first, with every field but the
//     employee: the copy must be a faithful, intelligible reproduction
//     (CJEU C-487/21).
//
// Every line derived from events names the ids of the events behind it.
// The report carries the SHA-256 of its content (ContentHash) and the store
// position it was computed at (per Kafka partition, the highest offset
// read); every rendering prints both.
//
// # Decisions
//
//   - Recipients are named by legal name (CJEU C-154/21), one line per
//     recipient and period of one transfer mechanism: a line ends where the
//     next transfer to that recipient names another mechanism, so a
//     third-country line shows the safeguard in force at the time of each
//     transfer. A disclosure recorded with only the recipient's category
//     carries its recorded reason (Attributes["reason"]); when there is
//     none the line says so and sets ReasonMissing. A country outside the
//     EEA (taxonomy Country.EEA), or unknown to the taxonomy, is a third
//     country.
//   - Retention per category is the taxonomy's Category.Retention, which is
//     our mapping, not the policy's: the report says so in one line. A rule
//     without a stated period prints the §20 criteria, never a period of
//     our own.
//   - Sources: which §16 source a source system represents is ours too, and
//     the report says so: crm, self_service_portal and contact_centre are
//     data from the subject (§16.1) and are not listed; billing,
//     network_inventory, tv_usage and cdr_mediation are Balticom's systems
//     (§16.2), and so is lineage_tracker, whose lookups read what those
//     systems recorded; third_country_processor is a partner (§16.5). The
//     policy's §16 list is printed in full. A test fails when a new source
//     system has no §16 source.
//   - Consultations are all events of kind access, in every system. The
//     employee who acted (Event.Employee) never appears in the subject's
//     report, in any format; the DPO's view (Options.IncludeRestricted)
//     shows it, since the DPO investigates complaints about who looked.
//   - Restricted disclosures: while a restriction is in force (ReviewAt
//     after Now) the subject's report leaves the event out of every layer
//     and says that lines were withheld under its basis: the bases only,
//     unique and sorted, with no count and no date, because telling a
//     subject how much an investigation covers or when its restriction ends
//     could tip the subject off. Once ReviewAt <= Now the event is shown
//     like any other. The DPO's view shows every restricted event, marked
//     with its basis and review date, and lists the restrictions.
//   - Identifier windows left out because two customers were linked to
//     one identifier at once (Options.Withheld) are listed with kind, from
//     and to.
//   - Copies of an event (the same id) count once; events outside the
//     window [From, To) are not reported but count in the position.
//   - Deterministic output: everything is sorted (catalogue order for codes,
//     time then id for events), every time is UTC, and the same report
//     renders to the same bytes in every format; the PDF's creation date is
//     the report's ComputedAt. The hash leaves out itself and ComputedAt,
//     so the same events and options give the same hash at any time.
//   - JSON is compact, English keys with names in the report's language:
//     the canonical JSON that Build hashes, with computed_at and
//     content_sha256 appended, so anyone can check the hash by removing
//     those two members. WriteJSON writes the encoding Build hashed, and
//     the package encodes it itself (encode.go), byte for byte what
//     encoding/json writes in half the time: for 10,000 events Build and
//     WriteJSON together must stay far below the 200 ms a report request
//     has (BenchmarkBuild, BenchmarkRenderJSON).
//   - Language: every label and policy passage is in one table per
//     language (labels.go). The Latvian headings follow the Inspectorate's
//     wording; code names come from the taxonomy's NameLV, falling back to
//     the English Name where a Latvian one is missing. Times print in ISO
//     8601 style, UTC, in both languages.
//   - CSV is one table whose first column names the section ("report",
//     "withheld", "event"), with a UTF-8 byte-order mark for spreadsheets
//     and formula injection neutralised. HTML has inline CSS only: no
//     script and nothing loaded from elsewhere. The PDF embeds DejaVu Sans
//     (fonts/, Bitstream Vera licence in fonts/LICENSE) for the Latvian
//     letters and is A4 landscape; 10,000 events make about 1,250 pages,
//     6 MB, in about 1.5 s (BenchmarkRenderPDF).
package report
