# terraform plan -var-file=prod.tfvars (with your prod account's ids)
environment = "prod"
cluster_arn = "arn:aws:ecs:ap-northeast-2:333333333333:cluster/prod"
