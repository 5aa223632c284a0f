package taxonomy

// retentionRuleList holds the retention criteria (§20.1–§20.4) and periods
// (§21–§23) of the policy. Under §20 data are kept while at least one
// criterion holds, then deleted; the policy does not say how the periods of
// §22–§23 combine with the §20 criteria.
var retentionRuleList = []RetentionRule{
	{Term: Term{Code: "contract_term", Name: "While the contract is in force", NameLV: "Kamēr ir spēkā ar Klientu noslēgtais līgums", Cite: "§20.1",
		Note: "No fixed period: ends when the contract ends, unless another criterion still holds."}},
	{Term: Term{Code: "legitimate_interest_claims", Name: "While legitimate interests can be exercised as regulations provide",
		NameLV: "Kamēr ārējos normatīvajos aktos noteiktajā kārtībā Balticom vai Klients var īstenot savas leģitīmās intereses", Cite: "§20.2",
		Note: "No period is stated. Reading it as the time in which claims can be raised (limitation periods) is ours; " +
			"2018 Gen. 4 named \"prasījuma tiesību noilgums\"."}},
	{Term: Term{Code: "accounting_5y", Name: "Legal duty to keep: accounting records, at least 5 years",
		NameLV: "Kamēr pastāv juridisks pienākums datus glabāt: saskaņā ar Grāmatvedības likumu vismaz 5 gadus", Cite: "§20.3",
		Note: "§20.3 is any legal duty to keep; its only example is the Accounting Law's 5 years for invoices (\"uzņēmumam izrakstītie rēķini\", " +
			"literally invoices issued to the company). Applying it to all accounting records, and counting from the document's date, is ours."},
		MinPeriod: minFiveYears},
	{Term: Term{Code: "audit_1y", Name: "Audit records, at least 1 year", NameLV: "Auditācijas pieraksti: vismaz vienu gadu", Cite: "§21",
		Note: "Counted from the day the record was made. A minimum, not a deletion date."},
		MinPeriod: minOneYear},
	{Term: Term{Code: "audit_high_security_18m", Name: "Audit records of high-security systems, at least 18 months",
		NameLV: "Auditācijas pieraksti no paaugstinātas drošības informācijas sistēmām: vismaz 18 mēnešus", Cite: "§21",
		Note: "A minimum, not a deletion date. Applies by system, not by data category: no category maps to it by default (ours)."},
		MinPeriod: minEighteenMons},
	{Term: Term{Code: "recordings_6m", Name: "Recordings and correspondence on service operation, maintenance and billing: 6 months, then deleted",
		NameLV: "Sarunas ar Klientu audioieraksts vai sarakste par pakalpojumu darbības nodrošināšanu, uzturēšanu un norēķiniem: 6 mēnešus, pēc tam tiek dzēsts", Cite: "§22",
		Note: "Counted from the recording or correspondence date. Only these topics, on legitimate interests; recordings on other topics " +
			"(e.g. proof under §7.9) have no stated period."},
		MaxPeriod: maxSixMonths},
	{Term: Term{Code: "prepaid_2y", Name: "Prepaid customers' data: 2 years after end of service use",
		NameLV: "Priekšapmaksas pakalpojumu klientu dati: 2 gadus pēc pakalpojuma lietošanas beigām", Cite: "§23",
		Note: "Counted from the end of service use. The policy says the data \"tiek glabāti 2 gadus\" without \"then deleted\" (as §22) or " +
			"\"at least\" (as §20.3, §21); reading it as a deadline is ours. Applies by data subject (prepaid customers), " +
			"not by category: no category maps to it by default (ours)."},
		MaxPeriod: maxTwoYears},
	{Term: Term{Code: "consent_storage", Name: "While consent to storage is in force",
		NameLV: "Kamēr ir spēkā Klienta piekrišana datu glabāšanai", Cite: "§20.4",
		Note: "Only where no other basis for storage exists, e.g. prospects' data from marketing. Applies by data subject (prospects), " +
			"not by category: no category maps to it by default (ours)."}},
}

var retentionRules = newCatalogue(retentionRuleList, func(r RetentionRule) string { return r.Code })

// RetentionRules returns the retention rules of §20–§23. The slice is a
// copy.
func RetentionRules() []RetentionRule { return retentionRules.all() }

// LookupRetentionRule returns the retention rule with the code.
func LookupRetentionRule(code string) (RetentionRule, bool) { return retentionRules.lookup(code) }
