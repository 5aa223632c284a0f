module github.com/balticom/lineage/schemas

go 1.26.0
