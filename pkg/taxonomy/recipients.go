package taxonomy

// recipientCategoryList holds the categories of recipients. The 2025 policy
// (§17) lists closed exceptions rather than recipient types and names only a
// bank and an electricity distribution operator; the 2018 text ([7] 7.1.1–
// 7.1.3) gave example recipients. Codes named only by the 2018 text cite it
// and say so.
var recipientCategoryList = []Term{
	{Code: "processor", Name: "Processor acting for Balticom", NameLV: "Balticom piesaistīts personas datu apstrādātājs", Cite: "§13–§14",
		Note: "Group companies and partners doing delivery or service work (installation, sending invoices, …); partners in third countries " +
			"are processors too (§18). Archiving and e-mail service providers, named in 2018 [7] 7.1.3, would be processors here (ours)."},
	{Code: "group_company", Name: "Balticom group company", NameLV: "Balticom grupas uzņēmums", Cite: "§13",
		Note: "§13 names group companies only as processors. Keeping them apart from other processors is our split; " +
			"a group company receiving data as a controller is not provided for by the policy."},
	{Code: "bank", Name: "Bank, for settlements", NameLV: "Banka norēķinu ietvaros", Cite: "§17.1"},
	{Code: "distribution_operator", Name: "Electricity distribution system operator",
		NameLV: "Sadales tīkla operators elektroenerģijas pakalpojuma ietvaros", Cite: "§17.1"},
	{Code: "debt_collector", Name: "Debt collector", NameLV: "Parādu piedzinējs", Cite: "2018 [7] 7.1.2",
		Note: "Named only in the 2018 text; the 2025 policy names no debt collectors. That a disclosure to one now rests on §17.1 (contract) " +
			"or §17.4 (protection of legitimate interests) is our inference; debt recovery is a purpose (§5.2)."},
	{Code: "law_enforcement", Name: "Law-enforcement and operational-activity bodies",
		NameLV: "Tiesībsargājošās un operatīvās darbības iestādes", Cite: "§17.3; 2018 [7] 7.1.1",
		Note: "§17.3 names no authority types (\"persons provided for in regulations, on their justified request\"); " +
			"§5.5 and §7.28 mention \"operatīvās darbības\" subjects/bodies. \"Tiesībsargājošās iestādes\" are named only in 2018 [7] 7.1.1."},
	{Code: "authority", Name: "State authority (tax, supervisory, financial-investigation and other bodies)",
		NameLV: "Valsts iestāde (nodokļu pārvaldes, uzraudzības, finanšu izmeklēšanas un citas iestādes)", Cite: "§17.3–§17.4; 2018 [7] 7.1.1",
		Note: "§5.5 names \"valsts pārvaldes iestādes\" and §17.4 \"valsts institūcijas\"; the tax, supervisory and financial-investigation " +
			"bodies are named only in 2018 [7] 7.1.1."},
	{Code: "court", Name: "Court", NameLV: "Tiesa", Cite: "§17.4; 2018 [7] 7.1.2",
		Note: "§17.4 gives going to court as its example; §7.28 is the matching interest."},
	{Code: "credit_bureau", Name: "Credit bureau (credit-history database)",
		NameLV: "Kredītinformācijas birojs (kredītvēstures datubāze)", Cite: "§16.4",
		Note: "§16.4 names credit-history databases only as a source of data. Neither text says that data are disclosed to one; " +
			"this recipient category is our inference, for reporting debts or making queries."},
	{Code: "postal_provider", Name: "Postal service provider", NameLV: "Pasta pakalpojumu sniedzējs", Cite: "2018 [7] 7.1.3",
		Note: "Named only in the 2018 text. In 2025 a postal provider sending invoices for Balticom would be a processor (§13); " +
			"this code is for one acting on its own account (ours)."},
	{Code: "e_invoice_provider", Name: "E-invoice provider chosen by the customer",
		NameLV: "Klienta izvēlēts e-rēķinu pakalpojumu sniedzējs", Cite: "2018 [7] 7.1.3",
		Note: "Named only in the 2018 text, ambiguously: \"Klientam sniegto pakalpojumu sniedzējiem, par kuru pakalpojumiem Klients ir pieteicis " +
			"e-rēķinus\". Reading it as the e-invoice channel the customer signed up for (e.g. an internet bank) is ours; " +
			"in 2025 it would rest on §17.1 or §17.2."},
	{Code: "insolvency_administrator", Name: "Bankruptcy or insolvency administrator",
		NameLV: "Bankrota vai maksātnespējas procesa administrators", Cite: "2018 [7] 7.1.2",
		Note: "Named only in the 2018 text; in 2025 it would fall under §17.3 (ours)."},
	{Code: "out_of_court_body", Name: "Out-of-court dispute-resolution body",
		NameLV: "Ārpustiesas strīdu risināšanas iestāde", Cite: "2018 [7] 7.1.2",
		Note: "Named only in the 2018 text; in 2025 it would fall under §17.3 or §17.4 (ours)."},
	{Code: "consent_recipient", Name: "Third party the customer consented to",
		NameLV: "Trešā persona, kurai dati nodoti ar Klienta piekrišanu", Cite: "§17.2",
		Note: "§17.2 requires \"skaidru un nepārprotamu piekrišanu\"; the consent record (cat. 28) should be traceable."},
	{Code: "messaging_platform", Name: "Messaging platform (WhatsApp, Viber, Telegram, Facebook Messenger, …)",
		NameLV: "Ziņojumapmaiņas lietotne (WhatsApp, Viber, Telegram, Facebook Messenger u.c.)", Cite: "§39",
		Note: "§39 calls them third-party platforms governed by their own privacy policies; their role (controller or processor) and " +
			"location are not stated. Treating them as recipients is ours."},
	{Code: "other_third_party", Name: "Other third party", NameLV: "Cita trešā persona", Cite: "§17",
		Note: "Our catch-all for a third party allowed by §17.1–§17.4 that no other code fits, e.g. website plugin providers acting as " +
			"independent controllers (cookie part IV) or advertising partners, whose role the policy does not state. Each use deserves review."},
}

var recipientCategories = newCatalogue(recipientCategoryList, termCode)

// RecipientCategories returns the categories of recipients of personal data.
// The slice is a copy.
func RecipientCategories() []Term { return recipientCategories.all() }

// LookupRecipientCategory returns the recipient category with the code.
func LookupRecipientCategory(code string) (Term, bool) { return recipientCategories.lookup(code) }

// noMechanismInPolicy is said of every transfer mechanism.
const noMechanismInPolicy = "The policy (§18–§19) names no transfer mechanism; it says only that third-country partners access data as processors " +
	"with protection \"līdzvērtīgs\" to Balticom's. Which mechanism applies to a transfer is recorded by us, per recipient."

// transferMechanismList holds the GDPR Chapter V mechanisms for a transfer
// outside the EU/EEA.
var transferMechanismList = []Term{
	{Code: "adequacy_decision", Name: "Adequacy decision", NameLV: "Lēmums par aizsardzības līmeņa pietiekamību", Cite: "GDPR Art. 45",
		Note: noMechanismInPolicy + " Countries with a decision in force: Countries(), Adequacy; for Canada and the United States only some recipients are covered."},
	{Code: "standard_contractual_clauses", Name: "Standard contractual clauses",
		NameLV: "Standarta datu aizsardzības klauzulas", Cite: "GDPR Art. 46(2)(c)",
		Note: noMechanismInPolicy + " Current clauses: Commission Implementing Decision (EU) 2021/914."},
	{Code: "binding_corporate_rules", Name: "Binding corporate rules", NameLV: "Saistošie uzņēmuma noteikumi", Cite: "GDPR Art. 47",
		Note: noMechanismInPolicy},
	{Code: "art49_derogation", Name: "Derogation for a specific situation", NameLV: "Atkāpes īpašās situācijās", Cite: "GDPR Art. 49",
		Note: noMechanismInPolicy + " Derogations suit occasional transfers, not a processor's routine access (§18)."},
}

var transferMechanisms = newCatalogue(transferMechanismList, termCode)

// TransferMechanisms returns the GDPR transfer mechanisms for transfers to
// third countries. The slice is a copy.
func TransferMechanisms() []Term { return transferMechanisms.all() }

// LookupTransferMechanism returns the transfer mechanism with the code.
func LookupTransferMechanism(code string) (Term, bool) { return transferMechanisms.lookup(code) }
