module github.com/rekindle/rekindle

go 1.26
