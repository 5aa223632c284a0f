package taxonomy

// categoryList holds the 32 categories of annex 1 of the 2025 policy, in
// annex order. NameLV is the annex's own category name, verbatim; Name and
// Examples are English and abbreviated, and the annex is the authority.
// Every Retention is our mapping (see the package doc).
var categoryList = []Category{
	{
		Term: Term{Code: "identification", Name: "Personal identification data", NameLV: "Personas identifikācijas dati", Cite: "annex 1, cat. 1",
			Note: "Retention (ours): needed after the contract ends to prove who concluded it and to pursue or answer claims (§20.2, §7.9)."},
		Examples:  "name, surname, personal code/ID, date of birth, passport/ID no., signature",
		Retention: "legitimate_interest_claims",
		Harm:      "identity fraud: someone may pose as you with your personal code or identity document number",
		HarmLV:    "identitātes krāpšana: kāds var uzdoties par jums, izmantojot jūsu personas kodu vai personu apliecinoša dokumenta numuru",
	},
	{
		Term: Term{Code: "contact", Name: "Contact details", NameLV: "Personas kontaktinformācija", Cite: "annex 1, cat. 2",
			Note: "Retention (ours): serves communication while the contract runs (§41); contact data kept later for a claim fall under legitimate_interest_claims."},
		Examples:  "address, phone number, e-mail address",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "special", Name: "Special-category (sensitive) data", NameLV: "Īpašo kategoriju dati (sensitīvie)", Cite: "annex 1, cat. 3",
			Note: "The annex labels the whole category \"Īpašo kategoriju dati (sensitīvie)\"; it does not say which items are GDPR Art. 9 data. " +
				"That the disability flag is health data (Art. 9) is our classification, not the annex's. " +
				"Retention (ours): no period stated; kept no longer than the contract, the narrowest criterion, as befits sensitive data."},
		Examples:  "resident/non-resident, death status, disability flag",
		Retention: "contract_term",
		Special:   true,
		Harm:      "disclosure of sensitive information about you, such as a disability",
		HarmLV:    "sensitīvas informācijas par jums, piemēram, invaliditātes, izpaušana",
	},
	{
		Term: Term{Code: "contact_persons", Name: "Contact persons' data", NameLV: "Personas kontaktpersonu dati", Cite: "annex 1, cat. 4",
			Note: "Retention (ours): a contact person (§4.1) is needed only while the contract runs."},
		Examples:  "contact person's name, surname, e-mail, phone",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "customer", Name: "Customer data", NameLV: "Klienta dati", Cite: "annex 1, cat. 5",
			Note: "Retention (ours): the customer record links every other record and is needed while claims can be raised (§20.2)."},
		Examples:  "customer contract no., registration date, status",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "self_service", Name: "Mans Balticom (self-service portal) data", NameLV: "Mans Balticom dati", Cite: "annex 1, cat. 6",
			Note: "Retention (ours): the portal account ends with the contract; consents given in the portal are kept as cat. 28."},
		Examples:  "portal user number, actions taken in the Mans Balticom portal",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "customer_analytics", Name: "Customer analytics data", NameLV: "Klienta analītikas dati", Cite: "annex 1, cat. 7",
			Note: "The annex list is open (\"u.c.\"). Retention (ours): derived data with no stated period; kept no longer than the contract."},
		Examples:  "category membership, segment, age group, age segment (youth/mass/senior), language, gender, etc.",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "service", Name: "Service data", NameLV: "Pakalpojuma dati", Cite: "annex 1, cat. 8",
			Note: "Retention (ours): describes the service while it is provided."},
		Examples:  "service number, name, address, price, discount and its end date",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "terminal_equipment", Name: "Terminal equipment data", NameLV: "Gala iekārtu dati", Cite: "annex 1, cat. 9",
			Note: "Retention (ours): needed while the equipment serves the contract."},
		Examples:  "device name, type, serial no., MAC address, meter no.",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "service_contract", Name: "Service contract data", NameLV: "Pakalpojuma līguma dati", Cite: "annex 1, cat. 10",
			Note: "Retention (ours): proof of the contract and its annexes is needed while claims can be raised (§20.2, §5.1)."},
		Examples:  "contract no., signing/approval date, type, annex no. and date",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "transaction", Name: "Transaction data", NameLV: "Darījuma dati", Cite: "annex 1, cat. 11",
			Note: "Retention (ours): proof of what was ordered and installed, needed while claims can be raised (§20.2)."},
		Examples:  "transaction no., date, name, type, status, installation details",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "crm_activity", Name: "CRM activity data", NameLV: "CRM aktivitātes dati", Cite: "annex 1, cat. 12",
			Note: "Annex fn. 1 (CRM = customer relationship management system) has no visible marker; by content it belongs here. " +
				"Retention (ours): working records of customer service while the contract runs."},
		Examples:  "activity no., type, date, category, owner",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "communication", Name: "Communication data", NameLV: "Komunikācijas dati", Cite: "annex 1, cat. 13",
			Note: "Retention (ours): §22 sets 6 months for correspondence on service operation, maintenance and billing, the bulk of this category. " +
				"Communication on other topics (e.g. commercial notices, proof of consent under §7.9) has no stated period and is not covered by this mapping."},
		Examples:  "inbound/outbound type, number, date, registrar, content, channel, delivery status",
		Retention: "recordings_6m",
		Harm:      "exposure of the content of your correspondence with us",
		HarmLV:    "jūsu sarakstes ar mums satura izpaušana",
	},
	{
		Term: Term{Code: "goods_purchase", Name: "Goods purchase data", NameLV: "Preces pirkuma dati", Cite: "annex 1, cat. 14",
			Note: "Retention (ours): waybills and receipts are accounting records (§20.3)."},
		Examples:  "product name, code, purchase date, waybill no., delivery method, price, payment type, receipt",
		Retention: "accounting_5y",
	},
	{
		Term: Term{Code: "service_purchase", Name: "Service purchase data", NameLV: "Pakalpojuma pirkuma dati", Cite: "annex 1, cat. 15",
			Note: "Retention (ours): purchases are accounting records (§20.3). Prepaid terrestrial-TV purchases are also prepaid customers' data (§23, 2 years); " +
				"the policy does not say which prevails, and under §20 the longer criterion governs."},
		Examples:  "prepaid terrestrial-TV purchases (activation date, type), Balticom+ film purchases (price, date, title)",
		Retention: "accounting_5y",
	},
	{
		Term: Term{Code: "instalment_purchase", Name: "Instalment purchase data", NameLV: "Nomaksas pirkuma dati", Cite: "annex 1, cat. 16",
			Note: "Retention (ours): instalment and leasing contracts and schedules are accounting records (§20.3)."},
		Examples:  "instalment contract no., decision, payment schedule, leasing contract no.",
		Retention: "accounting_5y",
		Harm:      "financial loss or fraud using your instalment or leasing contract",
		HarmLV:    "finansiāli zaudējumi vai krāpšana, izmantojot jūsu nomaksas vai līzinga līgumu",
	},
	{
		Term: Term{Code: "solvency_check", Name: "Solvency check data", NameLV: "Maksātspējas pārbaudes dati", Cite: "annex 1, cat. 17",
			Note: "Retention (ours): used before and during the contract (§7.5, §5.2); kept no longer than the contract."},
		Examples:  "external debt status, credit-risk score, solvency status",
		Retention: "contract_term",
		Harm:      "harm to your creditworthiness and reputation",
		HarmLV:    "kaitējums jūsu kredītspējai un reputācijai",
	},
	{
		Term: Term{Code: "billing", Name: "Billing and settlement data", NameLV: "Norēķinu dati", Cite: "annex 1, cat. 18",
			Note: "Retention (ours): invoices are the policy's own example for §20.3; the other items (debt collection, overdue days) follow them."},
		Examples:  "billing account, bank account, invoice no./date/amount/delivery method, payments, payer, debt, debt collection, days and amount overdue",
		Retention: "accounting_5y",
		Harm:      "financial loss or payment fraud using your bank account and invoice data",
		HarmLV:    "finansiāli zaudējumi vai maksājumu krāpšana, izmantojot jūsu bankas konta un rēķinu datus",
	},
	{
		Term: Term{Code: "service_usage", Name: "Service usage data", NameLV: "Pakalpojuma lietošanas dati", Cite: "annex 1, cat. 19",
			Note: "Marked with annex fn. 2 (retained data, \"saglabājamie dati\"); overlaps cat. 31, and the annex does not separate them. " +
				"Retention (ours): traffic data kept while a bill can be challenged or payment pursued (§20.2). " +
				"The statutory retention of retained data (§5.5, §20.3) has no period in the policy and no rule here yet."},
		Examples:  "retained voice and internet-access data, interactive-TV, Balticom+, Wi-Fi, electricity and sensor usage",
		Retention: "legitimate_interest_claims",
		Harm:      "exposure of your habits from your usage records",
		HarmLV:    "jūsu paradumu atklāšana no pakalpojumu lietošanas datiem",
	},
	{
		Term: Term{Code: "faults", Name: "Fault data", NameLV: "Bojājumu dati", Cite: "annex 1, cat. 20",
			Note: "Retention (ours): fault history serves the maintenance of the service while it runs."},
		Examples:  "fault no., registered/resolved dates, type, description",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "complaints", Name: "Complaint and application data", NameLV: "Iebildumu/pieteikumu dati", Cite: "annex 1, cat. 21",
			Note: "Retention (ours): complaints and applications are kept as records (§7.6) and may become disputes (§20.2)."},
		Examples:  "complaint/application no., registered/resolved dates, type, description",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "surveys", Name: "Customer survey data", NameLV: "Klientu aptauju dati", Cite: "annex 1, cat. 22",
			Note: "Retention (ours): no period stated; kept no longer than the customer relationship."},
		Examples:  "survey name, sent and answered dates, questions and answers",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "website_activity", Name: "Activity on Balticom websites",
			NameLV: "Balticom interneta vietnēs veiktās darbības", Cite: "annex 1, cat. 23",
			Note: "Retention (ours): a log of actions with IP address and time is read as an audit record (§21). " +
				"Data gathered by cookies follow the cookie lifetimes of cookie part IV, which no rule here models."},
		Examples:  "IP address, action names, website section, date and time",
		Retention: "audit_1y",
		Harm:      "exposure of your browsing on our websites and your IP address",
		HarmLV:    "jūsu darbību mūsu tīmekļvietnēs un jūsu IP adreses izpaušana",
	},
	{
		Term: Term{Code: "photos", Name: "Photographs", NameLV: "Fotogrāfijas un attēli", Cite: "annex 1, cat. 24",
			Note: "Neither basis nor period is stated; a link to §7.29 (inform the public) would be ours. " +
				"Retention (ours): kept while that interest lasts (§20.2)."},
		Examples:  "photos from customer events, date taken",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "video", Name: "Video data", NameLV: "Video dati", Cite: "annex 1, cat. 25",
			Note: "No period is stated for CCTV or event video. Linking CCTV to §6.5 or §5.4 is ours. " +
				"Retention (ours): kept while needed as evidence of an incident (§20.2); a fixed CCTV period would need a new rule."},
		Examples:  "customer-event video, CCTV at Balticom sites, recording date",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "call_recordings", Name: "Call recordings", NameLV: "Sarunu ierakstu dati", Cite: "annex 1, cat. 26",
			Note: "Retention (ours): §22 sets 6 months for recordings on service operation, maintenance and billing. " +
				"Recordings kept as proof of an oral contract or consent (§7.9) have no stated period and are not covered by this mapping."},
		Examples:  "customer-service call recordings, date and time",
		Retention: "recordings_6m",
	},
	{
		Term: Term{Code: "system_access", Name: "System access data", NameLV: "Pieejas dati sistēmām", Cite: "annex 1, cat. 27",
			Note: "Retention (ours): credentials serve only the running contract."},
		Examples:  "user names and passwords given to the customer",
		Retention: "contract_term",
		Harm:      "takeover of your accounts: change your passwords",
		HarmLV:    "jūsu kontu pārņemšana: nomainiet paroles",
	},
	{
		Term: Term{Code: "consents", Name: "Consent records", NameLV: "Piekrišanu informācija", Cite: "annex 1, cat. 28",
			Note: "Annex fn. 3 (definition of consent) has no visible marker; by content it belongs here. " +
				"Retention (ours): proof of consent (§7.9) is needed while claims can be raised, also after withdrawal (§36)."},
		Examples:  "consent flag per topic, date and time, source",
		Retention: "legitimate_interest_claims",
	},
	{
		Term: Term{Code: "location", Name: "Location data", NameLV: "Atrašanās vietas dati", Cite: "annex 1, cat. 29",
			Note: "Annex fn. 4 (location data) has no visible marker; by content it belongs here. Location data are also retained data (fn. 2). " +
				"Retention (ours): the connection point is part of the running service."},
		Examples:  "terminal location address, connection point address",
		Retention: "contract_term",
		Harm:      "disclosure of where you live or use our services",
		HarmLV:    "izpaušana, kur jūs dzīvojat vai lietojat mūsu pakalpojumus",
	},
	{
		Term: Term{Code: "network_info", Name: "Network information", NameLV: "Tīkla informācija", Cite: "annex 1, cat. 30",
			Note: "Retention (ours): the network elements of a customer's connection matter while it is in service."},
		Examples:  "positions of cross-connects, cabinets, boxes, splitters; ports, cable pair/fibre, device type, software version, connected devices",
		Retention: "contract_term",
	},
	{
		Term: Term{Code: "traffic_data", Name: "Service usage (traffic) data",
			NameLV: "Pakalpojuma lietošanas (noslodzes) dati", Cite: "annex 1, cat. 31",
			Note: "Overlaps cat. 19 (both \"pakalpojuma lietošanas dati\"); the annex does not separate them. " +
				"Retention (ours): as cat. 19, kept while a bill can be challenged or payment pursued (§20.2); " +
				"the statutory retention of retained data has no period in the policy and no rule here yet."},
		Examples:  "CDRs, fact of IP-address assignment, e-mail data that must be retained",
		Retention: "legitimate_interest_claims",
		Harm:      "disclosure of whom you called or wrote to, when and from where",
		HarmLV:    "izpaušana, kam un kad jūs zvanījāt vai rakstījāt un no kurienes",
	},
	{
		Term: Term{Code: "tv_usage", Name: "TV usage data", NameLV: "TV pakalpojuma lietošanas dati", Cite: "annex 1, cat. 32",
			Note: "Retention (ours): viewing data serve the running service; analysis of viewing habits needs consent (§33). " +
				"Balticom Kino purchases are also purchases (cat. 15)."},
		Examples:  "customer no., TV package, device ID/type/model, channel and programme ID, views, Balticom Kino purchases, language, TV-archive use",
		Retention: "contract_term",
	},
}

var categories = newCatalogue(categoryList, func(c Category) string { return c.Code })

// Categories returns the 32 data categories of annex 1, in annex order. The
// slice is a copy.
func Categories() []Category { return categories.all() }

// LookupCategory returns the data category with the code.
func LookupCategory(code string) (Category, bool) { return categories.lookup(code) }
