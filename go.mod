module github.com/rekindle/rekindle

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/robfig/cron/v3 v3.0.1
)
