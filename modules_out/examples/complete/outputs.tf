output "url" {
  description = "HTTPS endpoint of the service."
  value       = "https://${module.alb.alb_dns_name}"
}

output "database_endpoint" {
  description = "Database endpoint (the task role connects with IAM authentication as user app)."
  value       = module.db.endpoint
}

output "service_name" {
  description = "ECS service name."
  value       = module.service.service_name
}
